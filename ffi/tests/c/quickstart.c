/*
 * The quickstart through the C ABI: connect, create a stream, append, read, read
 * verified, ask the server about itself, and run SQL.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -I ffi/include ffi/tests/c/quickstart.c \
 *      target/debug/libkimberlite_ffi.a -lpthread -ldl -lm -o quickstart
 *   ./quickstart 127.0.0.1:5432
 *
 * Exits 0 when every step behaved as documented, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "kimberlite.h"

static int fail(const char *step, kmb_error *error) {
    fprintf(stderr, "%s failed: [%u %s] %s\n", step, kmb_error_code(error),
            kmb_error_name(error), kmb_error_message(error));
    kmb_error_free(error);
    return 1;
}

static int check(int condition, const char *what) {
    if (!condition) {
        fprintf(stderr, "check failed: %s\n", what);
    }
    return condition ? 0 : 1;
}

static int streams(kmb_client *client) {
    kmb_error *error = NULL;
    uint64_t stream = 0, length = 0, first = 0;
    if (kmb_client_create_stream(client, "c-quickstart", 7, NULL, NULL, &stream, &error)) {
        return fail("create_stream", error);
    }
    if (kmb_client_stream_length(client, stream, NULL, &length, &error)) {
        return fail("stream_length", error);
    }
    kmb_bytes events[2] = {{(const uint8_t *)"hello", 5}, {(const uint8_t *)"world", 5}};
    if (kmb_client_append(client, stream, events, 2, length, NULL, &first, &error)) {
        return fail("append", error);
    }
    printf("appended 2 events at offset %llu of stream %llu\n", (unsigned long long)first,
           (unsigned long long)stream);

    /* Appending again at the old length must fail with OffsetMismatch (16). */
    kmb_status status = kmb_client_append(client, stream, events, 1, length, NULL, &first, &error);
    if (check(status == KMB_ERROR && kmb_error_code(error) == 16, "offset mismatch")) {
        kmb_error_free(error);
        return 1;
    }
    kmb_error_free(error);

    kmb_events *read = NULL;
    if (kmb_client_read(client, stream, length, 1024, NULL, &read, &error)) {
        return fail("read", error);
    }
    int bad = check(kmb_events_count(read) == 2, "two events read");
    kmb_event event;
    if (!bad && kmb_events_get(read, 1, &event, &error) == KMB_OK) {
        bad |= check(event.len == 5 && memcmp(event.data, "world", 5) == 0, "second event");
        printf("read %llu: %.*s\n", (unsigned long long)event.offset, (int)event.len,
               (const char *)event.data);
    }
    kmb_events_free(read);

    kmb_events *verified = NULL;
    if (kmb_client_read_verified(client, stream, 0, 1 << 20, NULL, &verified, &error)) {
        return fail("read_verified", error);
    }
    uint64_t size = 0;
    uint8_t root[32];
    bad |= check(kmb_events_checkpoint(verified, &size, root), "a checkpoint");
    bad |= check(size >= length + 2, "the checkpoint covers the appends");
    printf("verified %zu events against a checkpoint of %llu records\n",
           kmb_events_count(verified), (unsigned long long)size);
    kmb_events_free(verified);
    return bad;
}

static int sql(kmb_client *client) {
    kmb_error *error = NULL;
    uint64_t affected = 0, position = 0;
    const char *create = "CREATE TABLE IF NOT EXISTS c_quickstart (id BIGINT, name TEXT)";
    if (kmb_client_execute(client, create, NULL, 0, NULL, &affected, &position, &error)) {
        return fail("create table", error);
    }
    kmb_value params[2] = {{.kind = 1, .integer = 1}, {.kind = 2, .data = (const uint8_t *)"Alice", .len = 5}};
    const char *insert = "INSERT INTO c_quickstart (id, name) VALUES ($1, $2)";
    if (kmb_client_execute(client, insert, params, 2, NULL, &affected, &position, &error)) {
        return fail("insert", error);
    }
    kmb_rows *rows = NULL;
    if (kmb_client_query(client, "SELECT id, name FROM c_quickstart", NULL, 0, NULL, &rows, &error)) {
        return fail("query", error);
    }
    printf("%zu rows; insert at SQL log position %llu\n", kmb_rows_row_count(rows),
           (unsigned long long)position);
    int bad = check(kmb_rows_row_count(rows) >= 1, "a row");
    kmb_rows_free(rows);
    return bad;
}

int main(int argc, char **argv) {
    const char *address = argc > 1 ? argv[1] : "127.0.0.1:5432";
    kmb_options *options = kmb_options_new(1);
    kmb_client *client = NULL;
    kmb_error *error = NULL;
    kmb_status status = kmb_client_connect(address, options, NULL, &client, &error);
    kmb_options_free(options);
    if (status != KMB_OK) {
        return fail("connect", error);
    }
    printf("connected to %s\n", address);

    kmb_server_info *info = NULL;
    if (kmb_client_server_info(client, NULL, &info, &error)) {
        kmb_client_free(client);
        return fail("server_info", error);
    }
    printf("server %s, protocol %u\n", kmb_server_info_server_version(info),
           (unsigned)kmb_server_info_protocol_version(info));
    kmb_server_info_free(info);

    int bad = streams(client);
    bad |= sql(client);
    kmb_client_free(client);
    return bad;
}
