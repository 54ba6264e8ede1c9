// Preloaded (node --require) into every child process that local/services.mjs
// starts. The parent opens an IPC channel to each child; when the parent goes
// away for any reason (even SIGKILL) the channel closes and the child exits,
// so no Azurite or maildev process can outlive local/services.mjs.
'use strict';

if (typeof process.send === 'function') {
  process.on('disconnect', () => process.exit(0));
}
