// eventloop-trace's JavaScript reader: the program's source on stdin, its ESTree (acorn's,
// with line/column locations) as JSON on stdout. Run by core/js/acorn.cpp under Node's
// permission model, which lets it read only this file and acorn's folder.
//
// Exit codes the caller reads: 0 parsed; 3 a syntax error (stdout: {"line","column","message"},
// acorn's own words); 4 acorn is not where it was looked for (stdout: the path tried); 5 the
// program nests too deeply for acorn or JSON.stringify (both recurse, and overflow the stack).
'use strict';
const acornPath = process.argv[2];
let acorn;
try {
  acorn = require(acornPath);
} catch (e) {
  process.stdout.write(JSON.stringify({ missing: acornPath, why: String(e.message).split('\n')[0] }));
  process.exitCode = 4;
  return;
}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const source = Buffer.concat(chunks).toString('utf8');
  let tree;
  try {
    // A script, as `node program.js` runs a .js file outside a "type": "module" package.
    tree = acorn.parse(source, { ecmaVersion: 2022, sourceType: 'script', locations: true,
                                 allowHashBang: true, allowReturnOutsideFunction: true });
  } catch (e) {
    if (e instanceof RangeError) { process.exitCode = 5; return; }
    if (!(e instanceof SyntaxError) || !e.loc) throw e;
    // acorn's message ends with " (line:column)"; the caller prints its own location.
    const message = e.message.replace(/ \(\d+:\d+\)$/, '');
    process.stdout.write(JSON.stringify({ line: e.loc.line, column: e.loc.column + 1, message }));
    process.exitCode = 3;
    return;
  }
  let text;
  try {
    text = JSON.stringify(tree, (key, value) => {
    // start/end offsets and Literal.raw are not needed and would double the output; the
    // locations (loc) are what messages and traces cite. A BigInt or RegExp value cannot
    // be written as JSON and the translator refuses both by node type anyway.
    if ((key === 'start' || key === 'end') && typeof value === 'number') return undefined;
    if (key === 'raw') return undefined;
    if (typeof value === 'bigint' || value instanceof RegExp) return null;
    return value;
    });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    process.exitCode = 5;
    return;
  }
  process.stdout.write(text);
});
