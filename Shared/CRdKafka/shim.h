#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
/* rdkafka_mock.h refuses to compile unless rdkafka.h came first. */
#include <librdkafka/rdkafka_mock.h>

/* Swift cannot call C variadic functions; wrap the ones that have no array form in 2.0.2. */
static inline rd_kafka_resp_err_t
crdk_mock_broker_push_request_error_rtt(rd_kafka_mock_cluster_t *mcluster, int32_t broker_id,
                                        int16_t api_key, rd_kafka_resp_err_t err, int rtt_ms) {
    return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, err, rtt_ms);
}
#endif
