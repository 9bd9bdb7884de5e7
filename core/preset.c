/* preset.c - the protocol presets: what each one sends, what answer counts
 * as alive, and where an answer ends. */
#include <string.h>

#include "preset.h"

/* Replies are matched without their reply_end (and without a CR before a
 * "\n" end), so "$" anchors at the end of the line the server wrote. */
static const tt_preset presets[] = {
  {
    .name = "tcp",
    .mode = TT_MODE_CONNECT,
    .summary = "a fresh TCP connection every interval; nothing is sent",
  },
  {
    .name = "echo",
    .mode = TT_MODE_PERSISTENT,
    .send = "tether\n",
    .expect = "^tether$",
    .summary = "an echo server: sends \"tether\" and expects it back",
  },
  {
    .name = "redis",
    .mode = TT_MODE_PERSISTENT,
    .send = "PING\r\n",
    .expect = "^\\+PONG",
    .summary = "Redis (and compatible): PING, expects +PONG",
  },
  {
    .name = "memcached",
    .mode = TT_MODE_PERSISTENT,
    .send = "version\r\n",
    .expect = "^VERSION ",
    .summary = "memcached: version, expects VERSION",
  },
  {
    .name = "http",
    .mode = TT_MODE_PERSISTENT,
    .send = "HEAD / HTTP/1.1\r\n"
            "Host: {address}\r\n"
            "User-Agent: tether/" TT_VERSION "\r\n"
            "Connection: keep-alive\r\n"
            "\r\n",
    .expect = "^HTTP/1\\.[01] [0-9]{3}",
    .reply_end = "\r\n\r\n",
    .summary = "HTTP/1.1: HEAD / on a keep-alive connection, expects a status "
               "line",
  },
  {
    .name = "smtp",
    .mode = TT_MODE_PERSISTENT,
    .send = "NOOP\r\n",
    .expect = "^250",
    /* The greeting's last line: "220-" lines before it are skipped. */
    .banner = "^220( |$)",
    .summary = "SMTP: expects the 220 greeting, then NOOP answered by 250",
  },
  {
    .name = "ssh",
    .mode = TT_MODE_CONNECT,
    .expect = "^SSH-",
    .summary = "SSH: a fresh connection every interval, expects the SSH- "
               "version line",
  },
};

const tt_preset *tt_preset_find(const char *name) {
  if (name == NULL)
    return NULL;
  for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
    if (strcmp(presets[i].name, name) == 0)
      return &presets[i];
  }
  return NULL;
}

const tt_preset *tt_preset_all(size_t *n) {
  *n = sizeof(presets) / sizeof(presets[0]);
  return presets;
}
