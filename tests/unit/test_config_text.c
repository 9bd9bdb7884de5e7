/* test_config_text.c - text and bytes in a config: !!binary for send and
 * reply_end and no other tag, characters refused in names, tags and hosts
 * (from the file and the command line), and files that are not files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "configrun.h"

/* ---- !!binary ---- */

static void test_binary_send_is_its_bytes(void **state) {
  tt_cfgrun r;
  /* PostgreSQL's SSLRequest: 00 00 00 08 04 D2 16 2F. */
  const tt_target *t = tt_accepts(
      &r, "targets:\n  - address: db:5432\n    mode: connect\n"
          "    send: !!binary AAAACATSFi8=\n    expect: \"^[SN]\"\n"
          "    reply_bytes: 1\n",
      0);
  tt_assert_bytes(t->send, t->send_len, "\0\0\0\x08\x04\xd2\x16\x2f", 8);
  assert_int_equal(t->reply_bytes, 1);
  tt_run_done(&r);
}

static void test_binary_reply_end_and_whitespace(void **state) {
  tt_cfgrun r;
  /* Base64 over lines, as a block scalar writes it; padding of one and of
   * two characters. */
  const tt_target *t = tt_accepts(
      &r, "defaults:\n  reply_end: !!binary \"AP8=\"\ntargets:\n"
          "  - address: h:1\n    send: !!binary |\n      aGVs\n      bG8=\n"
          "  - address: h:2\n    send: !!binary \"YQ==\"\n",
      0);
  tt_assert_bytes(t->send, t->send_len, "hello", 5);
  tt_assert_bytes(t->reply_end, t->reply_end_len, "\0\xff", 2);
  tt_assert_bytes(r.cfg.targets[1].send, r.cfg.targets[1].send_len, "a", 1);
  tt_run_done(&r);
}

static void test_binary_that_is_not_base64(void **state) {
  tt_refuses("targets:\n  - address: h:1\n    send: !!binary \"aGk\"\n"
             "  - address: h:2\n    send: !!binary \"a-k=\"\n"
             "  - address: h:3\n    send: !!binary \"aG==aGk=\"\n"
             "  - address: h:4\n    send: !!binary \"a===\"\n",
             "t.yaml:3:11: !!binary value is cut short: base64 comes in "
             "groups of 4 characters, padded with '='\n"
             "t.yaml:5:11: !!binary value holds a character that is not "
             "base64 (A-Z, a-z, 0-9, +, /)\n"
             "t.yaml:7:11: !!binary value has '=' before its end\n"
             "t.yaml:9:11: !!binary value is cut short: base64 comes in "
             "groups of 4 characters, padded with '='\n");
}

static void test_binary_is_only_for_bytes(void **state) {
  tt_refuses("targets:\n  - address: !!binary aDox\n"
             "  - address: h:2\n    send: x\n    expect: !!binary Xng=\n"
             "  - name: !!binary eA==\n    address: h:3\n"
             "  - address: h:4\n    !!binary aW50ZXJ2YWw=: 1s\n",
             "t.yaml:2:14: address cannot be !!binary: only send and "
             "reply_end hold bytes\n"
             "t.yaml:5:13: expect cannot be !!binary: only send and "
             "reply_end hold bytes\n"
             "t.yaml:6:11: name cannot be !!binary: only send and reply_end "
             "hold bytes\n"
             "t.yaml:9:5: keys must be strings, found !!binary\n");
  /* On a list, it stops the reading like any tag. */
  tt_refuses("targets:\n  - address: h:5\n    tags: !!binary [a]\n",
             "t.yaml:3:11: !!binary must tag a string of base64, not a list "
             "or a mapping\n");
}

/* ---- every other tag ---- */

static void test_other_tags_are_refused_where_they_stand(void **state) {
  tt_refuses("targets:\n"
             "  - address: !!str h:1\n"
             "  - address: h:2\n    interval: !!int 5\n"
             "  - !target {address: h:3}\n"
             "  - address: ! h:4\n"
             "  - address: h:5\n    tags: !!seq [a, !foo b]\n"
             "  - address: !<tag:example.com,2000:x> h:6\n",
             "t.yaml:2:14: the tag !!str is not supported (the only tag is "
             "!!binary, for bytes in send and reply_end)\n"
             "t.yaml:4:15: the tag !!int is not supported (the only tag is "
             "!!binary, for bytes in send and reply_end)\n"
             "t.yaml:5:5: the tag !target is not supported (the only tag is "
             "!!binary, for bytes in send and reply_end)\n"
             "t.yaml:6:14: the tag ! is not supported (the only tag is "
             "!!binary, for bytes in send and reply_end)\n"
             "t.yaml:8:11: the tag !!seq is not supported (the only tag is "
             "!!binary, for bytes in send and reply_end)\n"
             "t.yaml:8:21: the tag !foo is not supported (the only tag is "
             "!!binary, for bytes in send and reply_end)\n"
             "t.yaml:9:14: the tag tag:example.com,2000:x is not supported "
             "(the only tag is !!binary, for bytes in send and "
             "reply_end)\n");
}

static void test_a_tag_on_a_key_or_the_top(void **state) {
  tt_refuses("!!map\ntargets:\n  - !!str address: h:1\n",
             "t.yaml:1:1: the tag !!map is not supported (the only tag is "
             "!!binary, for bytes in send and reply_end)\n"
             "t.yaml:3:5: the tag !!str is not supported (the only tag is "
             "!!binary, for bytes in send and reply_end)\n");
}

/* ---- names, tags and hosts are plain text ---- */

static void test_bidi_and_invisible_characters_in_the_file(void **state) {
  /* Reported at the character itself when the value is the file's bytes
   * (plain, or quoted without escapes); else at the value. */
  tt_refuses("targets:\n"
             "  - name: pay\xe2\x80\xaelapyap\n    address: h:1\n"
             "  - name: \"ok\xe2\x81\xa6\"\n    address: h:2\n"
             "  - address: h:3\n    tags: [prod, \"a\xe2\x80\x8b\"]\n"
             "  - name: \"a\\u200fb\"\n    address: h:4\n"
             "  - name: \xc3\xa9\xc3\xa9\xef\xbb\xbf\n    address: h:5\n"
             "  - name: \"tab\\there\"\n    address: h:6\n",
             "t.yaml:2:14: name 'pay\\xe2\\x80\\xaelapyap' must not contain "
             "U+202E RIGHT-TO-LEFT OVERRIDE\n"
             "t.yaml:4:14: name 'ok\\xe2\\x81\\xa6' must not contain U+2066 "
             "LEFT-TO-RIGHT ISOLATE\n"
             "t.yaml:7:20: tag 'a\\xe2\\x80\\x8b' must not contain U+200B "
             "ZERO WIDTH SPACE\n"
             "t.yaml:8:11: name 'a\\xe2\\x80\\x8fb' must not contain U+200F "
             "RIGHT-TO-LEFT MARK\n"
             "t.yaml:10:13: name '\xc3\xa9\xc3\xa9\\xef\\xbb\\xbf' must not "
             "contain U+FEFF ZERO WIDTH NO-BREAK SPACE\n"
             "t.yaml:12:11: name 'tab\\there' must not contain control "
             "characters\n");
}

static void test_hosts_are_plain_text(void **state) {
  tt_refuses("targets:\n"
             "  - address: \"x\\u009b:1\"\n"
             "  - address: db\xe2\x80\x8b.example:5432\n"
             "  - host: \"\xe2\x81\xa7" "db\"\n    port: 1\n"
             "  - address: \"a\\tb:1\"\n",
             "t.yaml:2:14: address 'x\\xc2\\x9b:1' must not contain U+009B "
             "CONTROL SEQUENCE INTRODUCER\n"
             "t.yaml:3:16: address 'db\\xe2\\x80\\x8b.example:5432' must not "
             "contain U+200B ZERO WIDTH SPACE\n"
             "t.yaml:4:12: host '\\xe2\\x81\\xa7db' must not contain U+2067 "
             "RIGHT-TO-LEFT ISOLATE\n"
             "t.yaml:6:14: address 'a\\tb:1' must not contain spaces or "
             "control characters\n");
}

static void test_command_line_text_is_plain_too(void **state) {
  char *adhoc[] = {"pay\xe2\x80\xaelapyap=h:1", "x\xc2\x9b:1",
                   "a\xff=h:3", "redis://h\xe2\x80\x8c:4", "ok=h:5"};
  tt_cfgrun r;
  tt_run_adhoc(&r, NULL, adhoc, 5);
  assert_string_equal(
      r.text,
      "TARGET 'pay\\xe2\\x80\\xaelapyap=h:1': name "
      "'pay\\xe2\\x80\\xaelapyap' must not contain U+202E RIGHT-TO-LEFT "
      "OVERRIDE\n"
      "TARGET 'x\\xc2\\x9b:1': address must not contain U+009B CONTROL "
      "SEQUENCE INTRODUCER\n"
      "TARGET 'a\\xff=h:3': name 'a\\xff' is not valid UTF-8\n"
      "TARGET 'redis://h\\xe2\\x80\\x8c:4': address must not contain U+200C "
      "ZERO WIDTH NON-JOINER\n");
  tt_run_done(&r);
}

/* A C1 control in a host never becomes the default name. */
static void test_a_refused_host_names_no_target(void **state) {
  char *adhoc[] = {"x\xc2\x9b" "2J:1"};
  tt_cfgrun r;
  tt_run_adhoc(&r, NULL, adhoc, 1);
  assert_int_equal(r.rc, -1);
  assert_null(strstr(r.text, "\xc2\x9b"));
  tt_run_done(&r);
}

static void test_plain_unicode_is_fine(void **state) {
  static const char yaml[] =
      "targets:\n  - name: \xe6\x97\xa5\xe6\x9c\xac\n"
      "    address: h\xc3\xa9.example:3\n    tags: [\xc3\xa9t\xc3\xa9]\n";
  char *adhoc[] = {"caf\xc3\xa9=h:1", "\xe2\x9c\x93=redis://h:2"};
  tt_cfgrun r;
  tt_run_full(&r, yaml, sizeof(yaml) - 1, adhoc, 2, NULL);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.cfg.targets[0].host, "h\xc3\xa9.example");
  assert_string_equal(r.cfg.targets[1].name, "caf\xc3\xa9");
  tt_run_done(&r);
}

/* ---- files that are not files ---- */

static void load_path(tt_cfgrun *r, const char *path) {
  tt_config_input in;
  memset(&in, 0, sizeof(in));
  in.path = path;
  tt_run_input(r, &in);
}

static void test_a_fifo_is_refused_at_once(void **state) {
  char dir[] = "/tmp/tt-fifo-XXXXXX", path[64];
  struct timespec t0, t1;
  tt_cfgrun r;

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/c.yaml", dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  /* Nobody writes: opening it to read would wait for ever. */
  clock_gettime(CLOCK_MONOTONIC, &t0);
  load_path(&r, path);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  unlink(path);
  rmdir(dir);
  assert_int_equal(r.rc, -1);
  assert_non_null(strstr(r.text, ": cannot read: a FIFO (named pipe), not a "
                                 "regular file\n"));
  assert_true(t1.tv_sec - t0.tv_sec < 2);
  tt_run_done(&r);
}

static void test_a_device_is_refused(void **state) {
  tt_cfgrun r;
  load_path(&r, "/dev/null");
  assert_string_equal(r.text, "/dev/null: cannot read: a character device, "
                              "not a regular file\n");
  tt_run_done(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_binary_send_is_its_bytes),
    cmocka_unit_test(test_binary_reply_end_and_whitespace),
    cmocka_unit_test(test_binary_that_is_not_base64),
    cmocka_unit_test(test_binary_is_only_for_bytes),
    cmocka_unit_test(test_other_tags_are_refused_where_they_stand),
    cmocka_unit_test(test_a_tag_on_a_key_or_the_top),
    cmocka_unit_test(test_bidi_and_invisible_characters_in_the_file),
    cmocka_unit_test(test_hosts_are_plain_text),
    cmocka_unit_test(test_command_line_text_is_plain_too),
    cmocka_unit_test(test_a_refused_host_names_no_target),
    cmocka_unit_test(test_plain_unicode_is_fine),
    cmocka_unit_test(test_a_fifo_is_refused_at_once),
    cmocka_unit_test(test_a_device_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
