import * as encoding from 'lib0/encoding';

/**
 * Updates written byte by byte, as a client other than the web app could send them (RP10 tests):
 * Yjs itself no longer writes JSON content.
 */

/** An object-and-array value `depth` deep, holding 1 at the bottom. */
export function nestedValue(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { v: value };
  return value;
}

/** JSON text of arrays `depth` deep around a string holding `]` and an escaped backslash. */
export const nestedBrackets = (depth: number) => '['.repeat(depth) + '"]\\\\"' + ']'.repeat(depth);

/** An update of one item, key `k` of root map `m`: content `ref` written by `write`. */
function itemUpdate(ref: number, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // one client
  encoding.writeVarUint(e, 1); // one struct
  encoding.writeVarUint(e, 4242); // client
  encoding.writeVarUint(e, 0); // clock
  encoding.writeUint8(e, 0b0010_0000 | ref); // with a parentSub
  encoding.writeVarUint(e, 1); // parent is a root type name
  encoding.writeVarString(e, 'm');
  encoding.writeVarString(e, 'k');
  write(e);
  encoding.writeVarUint(e, 0); // empty delete set
  return encoding.toUint8Array(e);
}

/** What an older Yjs wrote for a map entry: one JSON content (ref 2). */
export const jsonUpdate = (json: string) =>
  itemUpdate(2, (e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, json);
  });

/** Values of any content (ref 8), as Yjs writes a map entry or array items. */
export const anyUpdate = (values: unknown[]) =>
  itemUpdate(8, (e) => {
    encoding.writeVarUint(e, values.length);
    for (const value of values) encoding.writeAny(e, value as encoding.AnyEncodable);
  });
