/*
 * Asynchronous appends through a kmb_completions queue, driven by poll(2) the way
 * an event loop would: rounds of one append per stream, each outcome taken in
 * small batches once the queue's descriptor is readable, checked for its context
 * and offset; an append at a stale offset arrives as an OffsetMismatch error; a
 * queue freed while calls run drops their outcomes and the client carries on; and
 * everything appended reads back verified.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -I ffi/include ffi/tests/c/completions.c \
 *      target/debug/libkimberlite_ffi.a -lpthread -ldl -lm -o completions
 *   ./completions 127.0.0.1:5432
 *
 * Exits 0 when every outcome arrived once and as documented, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "kimberlite.h"

#define STREAMS 8
#define ROUNDS 25
#define TAKE 3 /* smaller than STREAMS: a round is taken in several batches */

static int fail(const char *step, kmb_error *error) {
    fprintf(stderr, "%s failed: [%u %s] %s\n", step, kmb_error_code(error),
            kmb_error_name(error), kmb_error_message(error));
    kmb_error_free(error);
    return 1;
}

static int payload(char *buffer, size_t size, int stream, int round) {
    return snprintf(buffer, size, "stream %d round %d", stream, round);
}

/* Waits for `expected` outcomes; stores each in `got` by its context - 1. */
static int await_outcomes(kmb_completions *queue, int expected, kmb_completion *got) {
    int seen = 0;
    while (seen < expected) {
        struct pollfd readable = {.fd = kmb_completions_fd(queue), .events = POLLIN};
        if (poll(&readable, 1, 30000) != 1) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "no outcome within 30 s (%d of %d arrived)\n", seen, expected);
            return 1;
        }
        size_t count = TAKE;
        while (count == TAKE) {
            kmb_completion batch[TAKE];
            kmb_error *error = NULL;
            if (kmb_completions_take(queue, batch, TAKE, &count, &error)) {
                return fail("take", error);
            }
            for (size_t i = 0; i < count; i++) {
                uintptr_t context = batch[i].context;
                if (context < 1 || context > (uintptr_t)expected || got[context - 1].context) {
                    fprintf(stderr, "an outcome with context %zu arrived unasked or twice\n",
                            (size_t)context);
                    return 1;
                }
                got[context - 1] = batch[i];
                seen++;
            }
        }
    }
    return 0;
}

static int start(kmb_client *client, kmb_completions *queue, uint64_t stream, int index,
                 int round, uint64_t expected, uintptr_t context) {
    char text[48];
    int length = payload(text, sizeof text, index, round);
    kmb_bytes event = {(const uint8_t *)text, (size_t)length};
    kmb_error *error = NULL;
    if (kmb_client_append_async(client, stream, &event, 1, expected, queue, context, &error)) {
        return fail("append_async", error);
    }
    return 0;
}

static int rounds(kmb_client *client, kmb_completions *queue, const uint64_t *streams) {
    for (int round = 0; round < ROUNDS; round++) {
        for (int s = 0; s < STREAMS; s++) {
            if (start(client, queue, streams[s], s, round, (uint64_t)round, (uintptr_t)s + 1)) {
                return 1;
            }
        }
        kmb_completion got[STREAMS];
        memset(got, 0, sizeof got);
        if (await_outcomes(queue, STREAMS, got)) {
            return 1;
        }
        for (int s = 0; s < STREAMS; s++) {
            if (got[s].status != KMB_OK) {
                return fail("an async append", got[s].error);
            }
            if (got[s].value != (uint64_t)round || got[s].error != NULL) {
                fprintf(stderr, "stream %d round %d landed at %llu\n", s, round,
                        (unsigned long long)got[s].value);
                return 1;
            }
        }
    }
    return 0;
}

static int stale_offset(kmb_client *client, kmb_completions *queue, uint64_t stream) {
    if (start(client, queue, stream, 0, 0, 0, 1)) {
        return 1;
    }
    kmb_completion got[1];
    memset(got, 0, sizeof got);
    if (await_outcomes(queue, 1, got)) {
        return 1;
    }
    int bad = got[0].status != KMB_ERROR || got[0].error == NULL ||
              strcmp(kmb_error_name(got[0].error), "OffsetMismatch") != 0;
    if (bad) {
        fprintf(stderr, "an append at a stale offset did not fail with OffsetMismatch\n");
    }
    kmb_error_free(got[0].error);
    return bad;
}

static int check_streams(kmb_client *client, const uint64_t *streams) {
    for (int s = 0; s < STREAMS; s++) {
        kmb_events *events = NULL;
        kmb_error *error = NULL;
        if (kmb_client_read_verified(client, streams[s], 0, 1 << 20, NULL, &events, &error)) {
            return fail("read_verified", error);
        }
        int bad = kmb_events_count(events) < ROUNDS;
        for (size_t i = 0; !bad && i < ROUNDS; i++) {
            kmb_event event;
            char expected[48];
            int length = payload(expected, sizeof expected, s, (int)i);
            if (kmb_events_get(events, i, &event, &error)) {
                kmb_events_free(events);
                return fail("events_get", error);
            }
            bad = event.len != (size_t)length || memcmp(event.data, expected, event.len) != 0;
        }
        kmb_events_free(events);
        if (bad) {
            fprintf(stderr, "stream %d does not hold its %d appends\n", s, ROUNDS);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *address = argc > 1 ? argv[1] : "127.0.0.1:5432";
    kmb_options *options = kmb_options_new(3);
    kmb_client *client = NULL;
    kmb_completions *queue = NULL;
    kmb_error *error = NULL;
    kmb_status status = kmb_client_connect(address, options, NULL, &client, &error);
    kmb_options_free(options);
    if (status != KMB_OK) {
        return fail("connect", error);
    }
    if (kmb_completions_new(&queue, &error)) {
        return fail("completions_new", error);
    }
    uint64_t streams[STREAMS];
    for (int s = 0; s < STREAMS; s++) {
        char name[32];
        snprintf(name, sizeof name, "c-async-%d", s);
        if (kmb_client_create_stream(client, name, 7, NULL, NULL, &streams[s], &error)) {
            return fail("create_stream", error);
        }
    }
    int failed = rounds(client, queue, streams) || stale_offset(client, queue, streams[0]);
    /* Outcomes of calls still running when their queue is freed are dropped. */
    for (int s = 0; !failed && s < STREAMS; s++) {
        failed = start(client, queue, streams[s], s, ROUNDS, ROUNDS, (uintptr_t)s + 1);
    }
    kmb_completions_free(queue);
    if (!failed && kmb_client_sync(client, NULL, &error)) {
        failed = fail("sync after freeing the queue", error);
    }
    failed = failed || check_streams(client, streams);
    kmb_client_free(client);
    if (!failed) {
        printf("%d rounds x %d async appends through a completion queue, all read back verified\n",
               ROUNDS, STREAMS);
    }
    return failed;
}
