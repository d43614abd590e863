import { type DefaultTreeAdapterMap, defaultTreeAdapter, parse } from "parse5";

export type Element = DefaultTreeAdapterMap["element"];

export function elements(node: DefaultTreeAdapterMap["parentNode"]): Element[] {
  const found: Element[] = [];
  for (const child of node.childNodes) {
    if (defaultTreeAdapter.isElementNode(child)) found.push(child, ...elements(child));
  }
  return found;
}

export function attribute(element: Element, name: string): string | undefined {
  return element.attrs.find((attr) => attr.name === name)?.value;
}

/**
 * What a browser posts when the "Register GitHub App" button is pressed: the HTML is parsed
 * as a browser parses it (parse5 implements the WHATWG algorithm, character references and
 * all), and the submitting button's name and value are the form's data.
 */
export function submittedManifest(html: string): {
  action: string;
  method: string;
  manifest: string;
} {
  const all = elements(parse(html));
  const button = all.find((el) => el.tagName === "button" && attribute(el, "name") === "manifest");
  const form = all.find((el) => el.tagName === "form" && elements(el).includes(button as Element));
  if (button === undefined || form === undefined) throw new Error("no manifest form on the page");
  return {
    action: attribute(form, "action") ?? "",
    method: attribute(form, "method") ?? "get",
    manifest: attribute(button, "value") ?? "",
  };
}
