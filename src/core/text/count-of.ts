/**
 * A count with its noun in the number it needs: "1 access", "2 accesses", "0 findings".
 * `many` is the plural where adding "s" would be wrong ("accesses").
 */
export function countOf(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
