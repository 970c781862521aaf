'use strict';
// Jest global set-up: see tempRoot.js.
module.exports = require('./tempRoot').setup;
