const util = require('util');
