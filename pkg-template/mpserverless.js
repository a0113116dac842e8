'use strict';
// `import MPServerless from 'miniapp-sdk/mpserverless'` (and require) resolve here; the class is
// shared with the main entry, so both use the same wasm instance.
var MPServerless = require('./index.js').MPServerless;
module.exports = MPServerless;
module.exports.default = MPServerless;
module.exports.MPServerless = MPServerless;
