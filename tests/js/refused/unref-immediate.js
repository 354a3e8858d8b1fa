setImmediate(() => console.log('later')).unref();
