/**
 * Reading pages the way a browser does, with parse5: the tests assert what the parsed document
 * holds (elements, attributes, text), so an injected element or attribute cannot hide in a
 * string comparison.
 */
import { parse, type DefaultTreeAdapterMap } from 'parse5';

export type Element = DefaultTreeAdapterMap['element'];
type Node = DefaultTreeAdapterMap['node'];

/** Parses a whole page. */
export function parsePage(html: string): Element {
  const doc = parse(html);
  const root = doc.childNodes.find((n): n is Element => 'tagName' in n);
  if (root === undefined) throw new Error('no <html> element');
  return root;
}

function children(node: Node): Node[] {
  const own = 'childNodes' in node ? node.childNodes : [];
  // A <template>'s content is a fragment of its own.
  return 'content' in node && node.content !== undefined ? [...own, ...node.content.childNodes] : own;
}

/** Every element under `root` (itself included), in document order. */
export function elements(root: Element): Element[] {
  const out: Element[] = [];
  const walk = (n: Node): void => {
    if ('tagName' in n) out.push(n);
    for (const c of children(n)) walk(c);
  };
  walk(root);
  return out;
}

/** The first element matching, or throws. */
export function find(root: Element, match: (e: Element) => boolean, what = 'element'): Element {
  const found = elements(root).find(match);
  if (found === undefined) throw new Error(`no ${what} in the page`);
  return found;
}

/** An attribute's value (decoded by the parser), or undefined. */
export function attr(e: Element, name: string): string | undefined {
  return e.attrs.find((a) => a.name === name)?.value;
}

/** The text of an element and its descendants, as `textContent`. */
export function textOf(e: Element): string {
  let out = '';
  const walk = (n: Node): void => {
    if (n.nodeName === '#text' && 'value' in n) out += n.value;
    for (const c of children(n)) walk(c);
  };
  walk(e);
  return out;
}

/**
 * The shape of a document: every element's name and attribute names, nested, without text or
 * attribute values. Two renders of a page whose only difference is a value escaped in place have
 * the same skeleton; an injected element or attribute changes it.
 */
export function skeleton(e: Element): string {
  const names = e.attrs.map((a) => a.name).join(',');
  const kids = children(e).filter((n): n is Element => 'tagName' in n).map(skeleton).join('');
  return `<${e.tagName}[${names}]>${kids}</${e.tagName}>`;
}
