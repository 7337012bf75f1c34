#ifndef CKAFKA_REFERENCE_H
#define CKAFKA_REFERENCE_H
/* Plain C librdkafka produce/consume loops: the yardstick the Swift wrapper is measured against in the
 * same `make bench` run. Same workload as the wrapper's: keyed records with one header each. */

typedef struct {
    double seconds;   /* first produce (or assign) to last delivery report (or record) */
    long delivered;   /* records acknowledged (produce) or read (consume) */
    long failed;      /* failed delivery reports */
    char error[256];  /* set when the function returns non-zero */
} ckref_result;

/* Produces `count` records of `value_size` bytes (key "key-<i % 1024>", header "seq" = 8 bytes) to
 * `topic`, idempotent, and waits for every delivery report. Returns 0 on success. */
int ckref_produce(const char *bootstrap, const char *topic, long count, int value_size, ckref_result *out);

/* Reads `count` records from partitions 0..partitions-1 of `topic` from the beginning (manual
 * assignment), touching key, value and headers of each. Returns 0 on success. */
int ckref_consume(const char *bootstrap, const char *topic, int partitions, long count, ckref_result *out);

#endif
