const events = require('events');
