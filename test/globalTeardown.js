'use strict';
// Jest global tear-down: see tempRoot.js.
module.exports = require('./tempRoot').teardown;
