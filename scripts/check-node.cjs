// Stops `npm install` and `npm start` on a Node older than package.json's "engines.node" with one
// sentence instead of a stack trace from deep inside a dependency. It must itself run on any old Node,
// so it is CommonJS with ES5 syntax and no dependencies, and it reads only the ">=X.Y.Z" form of the
// range: that is the form package.json uses, and anything else is reported rather than guessed.
'use strict';

var fs = require('fs');
var path = require('path');

function parseVersion(text) {
  var match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(String(text).trim());
  if (!match) return null;
  return [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)];
}

function compareVersions(left, right) {
  for (var i = 0; i < 3; i += 1) {
    if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1;
  }
  return 0;
}

/** Returns null when `found` satisfies `range` (">=X.Y.Z"), otherwise the one-sentence message. */
function check(found, range, name) {
  var rangeMatch = /^\s*>=\s*(v?\d+(?:\.\d+){0,2})\s*$/.exec(String(range));
  var needed = rangeMatch ? parseVersion(rangeMatch[1]) : null;
  if (!needed) {
    throw new Error('check-node.cjs reads only ">=X.Y.Z" ranges in engines.node, not "' + range + '".');
  }
  var current = parseVersion(found);
  if (current && compareVersions(current, needed) >= 0) return null;
  var neededText = needed[0] + '.' + needed[1] + (needed[2] ? '.' + needed[2] : '');
  return (
    (name || 'This project') +
    ' needs Node.js ' +
    neededText +
    ' or newer (Node 24 LTS recommended); this is Node ' +
    String(found).replace(/^v/, '') +
    '. Install a newer Node and run the command again.'
  );
}

function main() {
  var manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  var message = check(process.versions.node, manifest.engines.node, manifest.name);
  if (message) {
    process.stderr.write(message + '\n');
    process.exit(1);
  }
}

module.exports = { check: check };

if (require.main === module) main();
