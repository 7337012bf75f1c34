#include "CKafkaReference.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Keeps the consume loop's reads of each record from being optimised away. */
volatile unsigned long ckref_sink;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    ckref_result *r = opaque;
    if (m->err) r->failed++; else r->delivered++;
}

static rd_kafka_t *make(rd_kafka_type_t type, rd_kafka_conf_t *conf, const char *bootstrap, ckref_result *out) {
    char err[512];
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) != RD_KAFKA_CONF_OK) {
        snprintf(out->error, sizeof out->error, "%s", err);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        snprintf(out->error, sizeof out->error, "%s", err);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

static rd_kafka_error_t *produce_one(rd_kafka_t *rk, const char *topic, long i, const char *value, int value_size) {
    char key[32];
    int key_len = snprintf(key, sizeof key, "key-%ld", i % 1024);
    unsigned char seq[8];
    for (int b = 0; b < 8; b++) seq[b] = (unsigned char)(i >> (56 - 8 * b));
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(1);
    rd_kafka_header_add(hdrs, "seq", -1, seq, sizeof seq);
    rd_kafka_vu_t vus[5];
    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC; vus[0].u.cstr = topic;
    vus[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS; vus[1].u.i = RD_KAFKA_MSG_F_COPY;
    vus[2].vtype = RD_KAFKA_VTYPE_KEY; vus[2].u.mem.ptr = key; vus[2].u.mem.size = (size_t)key_len;
    vus[3].vtype = RD_KAFKA_VTYPE_VALUE; vus[3].u.mem.ptr = (void *)value; vus[3].u.mem.size = (size_t)value_size;
    vus[4].vtype = RD_KAFKA_VTYPE_HEADERS; vus[4].u.headers = hdrs;
    rd_kafka_error_t *error = rd_kafka_produceva(rk, vus, 5);
    if (error) rd_kafka_headers_destroy(hdrs);
    return error;
}

int ckref_produce(const char *bootstrap, const char *topic, long count, int value_size, ckref_result *out) {
    memset(out, 0, sizeof *out);
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err);
    rd_kafka_conf_set(conf, "queue.buffering.max.messages", "100000", err, sizeof err);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, out);
    rd_kafka_t *rk = make(RD_KAFKA_PRODUCER, conf, bootstrap, out);
    if (!rk) return 1;
    char *value = malloc((size_t)value_size);
    memset(value, 'v', (size_t)value_size);

    /* Warm-up: connection, metadata, producer id. */
    rd_kafka_error_t *error = produce_one(rk, topic, -1, value, value_size);
    if (error) rd_kafka_error_destroy(error);
    rd_kafka_flush(rk, 10000);
    out->delivered = 0;
    out->failed = 0;

    double start = now_seconds();
    for (long i = 0; i < count; i++) {
        while ((error = produce_one(rk, topic, i, value, value_size))) {
            rd_kafka_resp_err_t code = rd_kafka_error_code(error);
            if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                snprintf(out->error, sizeof out->error, "%s", rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
                free(value);
                rd_kafka_destroy(rk);
                return 1;
            }
            rd_kafka_error_destroy(error);
            rd_kafka_poll(rk, 1);
        }
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_resp_err_t flushed = rd_kafka_flush(rk, 60000);
    out->seconds = now_seconds() - start;
    free(value);
    rd_kafka_destroy(rk);
    if (flushed) {
        snprintf(out->error, sizeof out->error, "flush: %s", rd_kafka_err2str(flushed));
        return 1;
    }
    return 0;
}

int ckref_consume(const char *bootstrap, const char *topic, int partitions, long count, ckref_result *out) {
    memset(out, 0, sizeof *out);
    char err[512], group[64];
    snprintf(group, sizeof group, "ckref-%ld", (long)now_seconds());
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_t *rk = make(RD_KAFKA_CONSUMER, conf, bootstrap, out);
    if (!rk) return 1;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    double start = now_seconds();
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    unsigned long checksum = 0;
    int idle = 0;
    while (out->delivered < count && idle < 100) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) { idle++; continue; }
        idle = 0;
        if (!m->err) {
            out->delivered++;
            checksum += m->len + m->key_len;
            rd_kafka_headers_t *hdrs;
            if (!rd_kafka_message_headers(m, &hdrs)) {
                const char *name; const void *val; size_t size;
                for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &val, &size); i++) checksum += size;
            }
        }
        rd_kafka_message_destroy(m);
    }
    out->seconds = now_seconds() - start;
    ckref_sink = checksum;
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (out->delivered < count) {
        snprintf(out->error, sizeof out->error, "read %ld of %ld records", out->delivered, count);
        return 1;
    }
    return 0;
}
