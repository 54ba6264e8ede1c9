// The smallest Node.js custom handler: answers every request at once, on
// 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT. The cold-start comparison starts it exactly
// as it starts the Rust handler (spawned directly, time to the first 200 on GET /).
'use strict';
const http = require('node:http');
http
  .createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('ok');
  })
  .listen(Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT), '127.0.0.1');
