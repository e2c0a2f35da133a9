/**
 * A list for members that join and leave all the time (pending deadlines,
 * connections in use). A `Set` would do, but V8's insertion-ordered table
 * never reuses a deleted slot: with members coming and going it rebuilds
 * itself every few additions, which cost 33k instructions per request when
 * the deadline clock used one (bench:instructions, 13 B). Here each member
 * owns a {@linkcode ListNode}, made once and reused on every join.
 *
 * @module
 */

/** A member's place in one {@linkcode LinkedList}. */
export class ListNode<T> {
  /** The member. */
  readonly item: T;
  /** Whether the node is on a list now. */
  listed = false;
  /** Its neighbour added before it. */
  earlier: ListNode<T> | null = null;
  /** Its neighbour added after it. */
  later: ListNode<T> | null = null;

  /** @param item the member this node places */
  constructor(item: T) {
    this.item = item;
  }
}

/**
 * A doubly linked list of nodes: adding and deleting cost a few pointer
 * writes and no allocation.
 *
 * @example
 * ```ts
 * import { LinkedList, ListNode } from "./linked_list.ts";
 * const list = new LinkedList<string>();
 * const node = new ListNode("a");
 * list.add(node);
 * list.delete(node);
 * console.assert(list.empty);
 * ```
 */
export class LinkedList<T> {
  #latest: ListNode<T> | null = null;

  /** `true` when no node is on the list. */
  get empty(): boolean {
    return this.#latest === null;
  }

  /** Puts `node` on the list (nothing when it is already on it). */
  add(node: ListNode<T>): void {
    if (node.listed) return;
    node.listed = true;
    node.earlier = this.#latest;
    node.later = null;
    if (this.#latest) this.#latest.later = node;
    this.#latest = node;
  }

  /** Takes `node` off the list (nothing when it is not on it). */
  delete(node: ListNode<T>): void {
    if (!node.listed) return;
    node.listed = false;
    const { earlier, later } = node;
    if (earlier) earlier.later = later;
    if (later) later.earlier = earlier;
    else this.#latest = earlier;
    node.earlier = node.later = null;
  }

  /** Calls `visit` for each node, latest first; `visit` may delete the node it is given. */
  forEach(visit: (node: ListNode<T>) => void): void {
    let node = this.#latest;
    while (node) {
      const earlier = node.earlier;
      visit(node);
      node = earlier;
    }
  }
}
