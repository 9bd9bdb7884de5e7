/* fuzz_tls.c - libFuzzer target: any bytes from a server, fed to a TLS
 * client session in reads of any size, must end in a handshake, a failure
 * with words, or a wait for more: never a crash, a leak or a detail
 * without words.
 *
 * The first byte of an input shapes the run: its top bit asks for an
 * insecure session, the rest (plus one) is the size of each read. The
 * seeds are servers' first flights (TLS 1.2's certificate is checked
 * before anything ties the flight to this ClientHello; TLS 1.3's stops at
 * the session id it echoes), alerts, a record header alone, and
 * plain-text servers. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tt_tls_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char out[4096], err[256];
  tt_tls_info info;
  tt_tls *t;
  size_t step;
  int r;

  if (ctx == NULL && tt_tls_ctx_new(NULL, &ctx, err, sizeof(err)) != 0) {
    fprintf(stderr, "fuzz_tls: %s\n", err);
    abort();
  }
  if (size == 0)
    return 0;
  t = tt_tls_new(ctx, "api.internal", (data[0] & 0x80) != 0);
  if (t == NULL)
    return 0;
  step = (size_t)(data[0] & 0x7f) + 1;
  data++;
  size--;
  r = tt_tls_handshake(t);
  while (tt_tls_take_out(t, out, sizeof(out)) > 0)
    ;
  while (size > 0 && r != TT_TLS_FAILED) {
    size_t n = size < step ? size : step;
    if (tt_tls_feed(t, data, n) != 0)
      break;
    data += n;
    size -= n;
    r = tt_tls_handshake(t);
    if (r == 0) {
      ssize_t got;
      while ((got = tt_tls_read(t, out, sizeof(out))) > 0)
        ;
      if (got == TT_TLS_FAILED)
        r = TT_TLS_FAILED;
    }
    while (tt_tls_take_out(t, out, sizeof(out)) > 0)
      ;
  }
  if (r == TT_TLS_FAILED &&
      (tt_tls_failure_of(t) == TT_TLS_FAIL_NONE ||
       tt_tls_detail(t)[0] == '\0'))
    abort();
  tt_tls_info_get(t, &info);
  tt_tls_shutdown(t);
  tt_tls_free(t);
  return 0;
}
