/* A producer that outlives its topic: the topic is deleted with its broker and
 * created again (a new topic id) while the client keeps running. Commands on
 * standard input: "create" (through a fresh client, as an operator would) and
 * "produce" (ten messages, a flush and a metadata request). Built against an
 * AddressSanitizer librdkafka by check-librdkafka-patches.sh. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>

static const char *topic_name = "recreated";

static rd_kafka_t *new_producer(const char *brokers) {
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers, error, sizeof error);
    rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
    return rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
}

static void create_topic(const char *brokers) {
    rd_kafka_t *admin = new_producer(brokers);
    rd_kafka_NewTopic_t *topic = rd_kafka_NewTopic_new(topic_name, 3, 1, NULL, 0);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(admin);
    rd_kafka_CreateTopics(admin, &topic, 1, NULL, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, 10000);
    printf("create: %s\n", event ? rd_kafka_err2str(rd_kafka_event_error(event)) : "timed out");
    if (event) rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    rd_kafka_NewTopic_destroy(topic);
    rd_kafka_destroy(admin);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s BROKERS\n", argv[0]); return 2; }
    rd_kafka_t *producer = new_producer(argv[1]);
    rd_kafka_topic_t *topic = rd_kafka_topic_new(producer, topic_name, NULL);
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        if (!strncmp(line, "create", 6)) {
            create_topic(argv[1]);
        } else if (!strncmp(line, "produce", 7)) {
            for (int i = 0; i < 10; i++)
                rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, "v", 1, NULL, 0, NULL);
            rd_kafka_flush(producer, 5000);
            const struct rd_kafka_metadata *metadata;
            rd_kafka_resp_err_t code = rd_kafka_metadata(producer, 0, topic, &metadata, 5000);
            printf("metadata: %s\n", rd_kafka_err2str(code));
            if (!code) rd_kafka_metadata_destroy(metadata);
        }
        fflush(stdout);
    }
    rd_kafka_topic_destroy(topic);
    rd_kafka_destroy(producer);
    printf("done\n");
    return 0;
}
