/* preset.c - the protocol presets: what each one sends, what answer proves
 * the protocol is there, what status in it means "not well", and how a
 * probe leaves without upsetting the server. */
#include <string.h>

#include "preset.h"

/* PostgreSQL's SSLRequest: length 8, code 80877103. */
#define PG_SSLREQUEST "\x00\x00\x00\x08\x04\xd2\x16\x2f"

/* HEAD on a keep-alive connection; a reply is a status line and headers,
 * its status judged against the target's accepted ones. */
#define HTTP_PROBE                                                         \
  .send = "HEAD {path} HTTP/1.1\r\n"                                        \
          "Host: {address}\r\n"                                            \
          "User-Agent: tether/" TT_VERSION "\r\n"                          \
          "Connection: keep-alive\r\n"                                     \
          "\r\n",                                                         \
  .expect = "^HTTP/1\\.[01] [0-9]{3}", .reply_end = "\r\n\r\n",            \
  .judge = TT_JUDGE_HTTP

/* A MySQL HandshakeResponse41 (sequence 1) for user "tether" without a
 * password, without CLIENT_PLUGIN_AUTH (so that no server asks to switch
 * plugins): capabilities LONG_PASSWORD | PROTOCOL_41 | SECURE_CONNECTION,
 * max packet 16 MiB, utf8 (33), 23 zero bytes, the user, an empty auth
 * response. A client that leaves after the greeting without answering
 * it counts as a connection error of its host, and max_connect_errors
 * (100) of those block the host; a refused login does not. */
#define MYSQL_GOODBYE                                                  \
  "\x28\x00\x00\x01"                                                    \
  "\x01\x82\x00\x00" "\x00\x00\x00\x01" "\x21"                          \
  "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"  \
  "\x00\x00\x00\x00"                                                    \
  "tether\x00" "\x00"

/* Replies are matched without their reply_end (and without a CR before a
 * "\n" end), so "$" anchors at the end of the line the server wrote.
 * Every preset was checked against the Debian server it names at its
 * defaults: none makes the server log an error or count the monitoring
 * host against a limit (tether(1), PRESETS). */
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
    .expect = "^(\\+PONG|-)",
    .judge = TT_JUDGE_REDIS,
    .summary = "Redis (and compatible): PING, expects +PONG; an error "
               "(-LOADING, -MASTERDOWN...) is unhealthy",
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
    HTTP_PROBE,
    .summary = "HTTP/1.1: HEAD path on a keep-alive connection; a status "
               "outside status (200-399) is unhealthy",
  },
  {
    .name = "https",
    .mode = TT_MODE_PERSISTENT,
    HTTP_PROBE,
    .tls = true,
    .summary = "HTTPS: the http preset inside TLS, the certificate checked",
  },
  {
    .name = "tls",
    .mode = TT_MODE_CONNECT,
    .tls = true,
    .summary = "a fresh connection and a TLS handshake every interval; the "
               "certificate checked",
  },
  {
    .name = "smtp",
    .mode = TT_MODE_CONNECT,
    /* The greeting's last line: "220-" lines before it are skipped. A
     * fresh connection each time and a QUIT, as check_smtp does: NOOPs
     * on one connection trip limits such as exim's 10 non-mail commands. */
    .expect = "^[2-5][0-9][0-9]( |$)",
    .quit = "QUIT\r\n",
    .judge = TT_JUDGE_SMTP,
    .summary = "SMTP: a fresh connection, the 220 greeting, then QUIT; a "
               "4xx or 5xx greeting is unhealthy",
  },
  {
    .name = "ssh",
    .mode = TT_MODE_CONNECT,
    .expect = "^SSH-",
    /* Our own identification line before closing: a client that leaves
     * without one is logged by sshd as an error. */
    .quit = "SSH-2.0-tether_probe\r\n",
    .summary = "SSH: a fresh connection every interval, expects the SSH- "
               "version line",
  },
  {
    .name = "postgres",
    .mode = TT_MODE_CONNECT,
    .send = PG_SSLREQUEST,
    .send_len = sizeof PG_SSLREQUEST - 1,
    .expect = "^[SNE]",
    .reply_bytes = 1,
    .judge = TT_JUDGE_POSTGRES,
    .tls_after = 'S',
    .summary = "PostgreSQL: a fresh connection, SSLRequest, expects S or N",
  },
  {
    .name = "mysql",
    .mode = TT_MODE_CONNECT,
    .reply_bytes = 5,
    .quit = MYSQL_GOODBYE,
    .quit_len = sizeof MYSQL_GOODBYE - 1,
    .judge = TT_JUDGE_MYSQL,
    .summary = "MySQL and MariaDB: a fresh connection, expects the server "
               "greeting (protocol 10)",
  },
  {
    .name = "imap",
    .mode = TT_MODE_CONNECT,
    .expect = "^\\* (OK|PREAUTH|BYE)",
    .quit = "a1 LOGOUT\r\n",
    .judge = TT_JUDGE_IMAP,
    .summary = "IMAP: a fresh connection, expects * OK, then LOGOUT; * BYE "
               "is unhealthy",
  },
  {
    .name = "pop3",
    .mode = TT_MODE_CONNECT,
    .expect = "^(\\+OK|-ERR)",
    .quit = "QUIT\r\n",
    .judge = TT_JUDGE_POP3,
    .summary = "POP3: a fresh connection, expects +OK, then QUIT; -ERR is "
               "unhealthy",
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
