/*
 * Many threads share one kmb_client, as the header allows: each thread creates its
 * own stream, appends to it one event per call at the expected offset, reads it
 * back verified and checks every payload, while all threads also ask the stream
 * lengths of the others. Meanwhile the main thread makes a call with a triggered
 * kmb_cancel, which must return KMB_CANCELLED.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -pthread -I ffi/include ffi/tests/c/threads.c \
 *      target/debug/libkimberlite_ffi.a -lpthread -ldl -lm -o threads
 *   ./threads 127.0.0.1:5432
 *
 * Exits 0 when every call of every thread behaved as documented, 1 otherwise.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kimberlite.h"

#define THREADS 16
#define EVENTS 25

typedef struct {
    kmb_client *client;
    int index;
    uint64_t stream;
    int failed;
} worker;

static int report(worker *w, const char *step, kmb_error *error) {
    fprintf(stderr, "thread %d: %s failed: [%u %s] %s\n", w->index, step, kmb_error_code(error),
            kmb_error_name(error), kmb_error_message(error));
    kmb_error_free(error);
    w->failed = 1;
    return 1;
}

static int check_read(worker *w) {
    kmb_error *error = NULL;
    kmb_events *events = NULL;
    if (kmb_client_read_verified(w->client, w->stream, 0, 1 << 20, NULL, &events, &error)) {
        return report(w, "read_verified", error);
    }
    int bad = kmb_events_count(events) != EVENTS;
    for (size_t i = 0; !bad && i < EVENTS; i++) {
        kmb_event event;
        char expected[32];
        int length = snprintf(expected, sizeof expected, "thread %d event %zu", w->index, i);
        if (kmb_events_get(events, i, &event, &error)) {
            kmb_events_free(events);
            return report(w, "events_get", error);
        }
        bad = event.offset != i || event.len != (size_t)length ||
              memcmp(event.data, expected, (size_t)length) != 0;
    }
    kmb_events_free(events);
    if (bad) {
        fprintf(stderr, "thread %d: the verified read does not hold its events\n", w->index);
        w->failed = 1;
    }
    return bad;
}

static void *work(void *argument) {
    worker *w = argument;
    kmb_error *error = NULL;
    char name[32];
    snprintf(name, sizeof name, "c-thread-%d", w->index);
    if (kmb_client_create_stream(w->client, name, 7, NULL, NULL, &w->stream, &error)) {
        report(w, "create_stream", error);
        return NULL;
    }
    for (uint64_t i = 0; i < EVENTS; i++) {
        char payload[32];
        int length = snprintf(payload, sizeof payload, "thread %d event %llu", w->index,
                              (unsigned long long)i);
        kmb_bytes event = {(const uint8_t *)payload, (size_t)length};
        uint64_t first = 0, other_length = 0;
        if (kmb_client_append(w->client, w->stream, &event, 1, i, NULL, &first, &error)) {
            report(w, "append", error);
            return NULL;
        }
        /* Any stream id: unknown ones must fail cleanly, known ones answer. */
        kmb_status status = kmb_client_stream_length(w->client, w->stream + i % THREADS, NULL,
                                                     &other_length, &error);
        if (status != KMB_OK) {
            if (kmb_error_code(error) != 5) {
                report(w, "stream_length", error);
                return NULL;
            }
            kmb_error_free(error);
        }
        if (first != i) {
            fprintf(stderr, "thread %d: append at %llu landed at %llu\n", w->index,
                    (unsigned long long)i, (unsigned long long)first);
            w->failed = 1;
            return NULL;
        }
    }
    check_read(w);
    return NULL;
}

int main(int argc, char **argv) {
    const char *address = argc > 1 ? argv[1] : "127.0.0.1:5432";
    kmb_options *options = kmb_options_new(2);
    kmb_client *client = NULL;
    kmb_error *error = NULL;
    kmb_status status = kmb_client_connect(address, options, NULL, &client, &error);
    kmb_options_free(options);
    if (status != KMB_OK) {
        fprintf(stderr, "connect failed: %s\n", kmb_error_message(error));
        kmb_error_free(error);
        return 1;
    }
    worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.client = client, .index = i};
        if (pthread_create(&threads[i], NULL, work, &workers[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    /* A cancel triggered before the call: the call returns KMB_CANCELLED. */
    kmb_cancel *cancel = kmb_cancel_new();
    kmb_cancel_trigger(cancel);
    status = kmb_client_sync(client, cancel, &error);
    int failed = status != KMB_CANCELLED;
    if (status != KMB_OK) {
        failed |= kmb_error_code(error) != KMB_CODE_CANCELLED;
        kmb_error_free(error);
    }
    kmb_cancel_free(cancel);
    if (failed) {
        fprintf(stderr, "a triggered cancel did not end the call with KMB_CANCELLED\n");
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        failed |= workers[i].failed;
    }
    kmb_client_free(client);
    if (!failed) {
        printf("%d threads x %d appends on one client, all read back verified\n", THREADS, EVENTS);
    }
    return failed;
}
