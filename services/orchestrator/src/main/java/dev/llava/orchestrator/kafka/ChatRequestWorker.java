package dev.llava.orchestrator.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.orchestrator.pipeline.ChatPipeline;
import dev.llava.proto.v1.ChatRequest;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Consume-transform-produce over {@code llava.chat.requests} with exactly-once output: a batch of request
 * records runs through the pipeline concurrently, then one transaction carries every response (whole text,
 * finish reason, usage) to {@code llava.chat.responses}, every usage record to {@code llava.usage}, every
 * poison record to the dead-letter topic, and the consumer offsets. A crash before the commit leaves nothing
 * visible to {@code read_committed} readers and the offsets uncommitted, so the batch is simply redone.
 */
public final class ChatRequestWorker implements Runnable {
  private static final Logger LOG = Logger.getLogger(ChatRequestWorker.class);
  public static final String REASON_HEADER = "llava.dlq.reason";
  public static final String STATUS_HEADER = "llava.dlq.status";
  public static final String SOURCE_HEADER = "llava.dlq.source";

  /** Test seam between the sends and the commit; throwing {@link Crash} there simulates a killed process. */
  @FunctionalInterface
  public interface CommitHook {
    CommitHook NONE = batch -> {};

    void beforeCommit(List<ConsumerRecord<String, String>> batch);
  }

  /** Thrown by a hook: the worker dies on the spot, without aborting or committing anything. */
  public static final class Crash extends RuntimeException {
    public Crash(String message) {
      super(message);
    }
  }

  private final WorkerSettings settings;
  private final ChatProcessor processor;
  private final CommitHook hook;
  private volatile boolean running = true;
  private volatile boolean crashed;
  private KafkaConsumer<String, String> consumer;
  private KafkaProducer<String, String> producer;

  public ChatRequestWorker(WorkerSettings settings, ChatProcessor processor, CommitHook hook) {
    this.settings = settings;
    this.processor = processor;
    this.hook = hook;
  }

  /** Asks the loop to stop after the batch in hand; safe from any thread. */
  public void stop() {
    running = false;
    KafkaConsumer<String, String> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  public boolean crashed() {
    return crashed;
  }

  @Override
  public void run() {
    try {
      producer = newProducer();
      producer.initTransactions(); // fences a predecessor with our transactional.id and aborts its open transaction
      consumer = newConsumer();
      consumer.subscribe(List.of(settings.requestsTopic()));
      while (running) {
        ConsumerRecords<String, String> records;
        try {
          records = consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
          continue;
        }
        if (!records.isEmpty()) {
          processBatch(records);
        }
      }
    } catch (Crash crash) {
      crashed = true;
      LOG.warnf("chat worker crashed on purpose: %s", crash.getMessage());
    } catch (RuntimeException e) {
      LOG.error("chat worker stopped by an unexpected error", e);
    } finally {
      close();
    }
  }

  private void processBatch(ConsumerRecords<String, String> records) {
    List<ConsumerRecord<String, String>> batch = new ArrayList<>();
    records.forEach(batch::add);
    List<CompletableFuture<ChatRecordOutcome>> pending = new ArrayList<>();
    for (ConsumerRecord<String, String> record : batch) {
      pending.add(handle(record));
    }
    long waitMillis = settings.requestTimeout().toMillis() * settings.maxAttempts() + 30_000;
    List<ChatRecordOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      outcomes.add(await(pending.get(i), batch.get(i), waitMillis));
    }
    try {
      producer.beginTransaction();
      for (int i = 0; i < batch.size(); i++) {
        publish(batch.get(i), outcomes.get(i));
      }
      producer.sendOffsetsToTransaction(nextOffsets(batch), consumer.groupMetadata());
      producer.flush();
      hook.beforeCommit(batch);
      producer.commitTransaction();
    } catch (Crash crash) {
      throw crash;
    } catch (ProducerFencedException | OutOfOrderSequenceException | InvalidProducerEpochException
        | AuthorizationException fatal) {
      LOG.warnf("producer can no longer commit (%s); recreating it and redoing the batch", fatal.toString());
      producer.close(Duration.ZERO);
      producer = newProducer();
      producer.initTransactions();
      rewind();
    } catch (KafkaException e) {
      LOG.warnf("transaction failed (%s); aborting and redoing the batch", e.toString());
      try {
        producer.abortTransaction();
      } catch (KafkaException abortFailure) {
        producer.close(Duration.ZERO);
        producer = newProducer();
        producer.initTransactions();
      }
      rewind();
    }
  }

  private ChatRecordOutcome await(CompletableFuture<ChatRecordOutcome> pending, ConsumerRecord<String, String> r,
      long waitMillis) {
    try {
      return pending.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      pending.cancel(true);
      ChatException ce = ChatException.from(e);
      return new ChatRecordOutcome.DeadLetter(keyOf(r, null), ce.code(), "processing failed: " + ce.getMessage());
    }
  }

  /** Parses, then runs the request with retries on retryable statuses. */
  private CompletableFuture<ChatRecordOutcome> handle(ConsumerRecord<String, String> record) {
    if (record.value() == null || record.value().isBlank()) {
      return dead(keyOf(record, null), Status.Code.INVALID_ARGUMENT, "empty record value, expected ChatRequest JSON");
    }
    ChatRequest.Builder request;
    try {
      request = ProtoJson.parse(record.value(), ChatRequest.newBuilder());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return dead(keyOf(record, null), Status.Code.INVALID_ARGUMENT,
          "value is not a ChatRequest in protobuf JSON: " + e.getMessage());
    }
    String requestId = keyOf(record, request.getRequestId());
    request.setRequestId(requestId);
    return attempt(request.build(), 1);
  }

  private CompletableFuture<ChatRecordOutcome> attempt(ChatRequest request, int attempt) {
    return processor.process(request, settings.requestTimeout())
        .<ChatRecordOutcome>thenApply(result -> new ChatRecordOutcome.Answered(request.getRequestId(), result))
        .exceptionallyCompose(error -> {
          ChatException e = ChatException.from(error);
          if (retryable(e.code()) && attempt < settings.maxAttempts()) {
            LOG.debugf("request %s failed with %s (attempt %d); retrying", request.getRequestId(), e.code(), attempt);
            return CompletableFuture.supplyAsync(() -> null,
                    CompletableFuture.delayedExecutor(200L * attempt, TimeUnit.MILLISECONDS))
                .thenCompose(x -> attempt(request, attempt + 1));
          }
          String reason = (retryable(e.code()) ? "failed " + attempt + " times, last: " : "") + e.getMessage();
          return CompletableFuture.completedFuture(
              new ChatRecordOutcome.DeadLetter(request.getRequestId(), e.code(), reason));
        });
  }

  static boolean retryable(Status.Code code) {
    return switch (code) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN, ABORTED -> true;
      default -> false;
    };
  }

  private static CompletableFuture<ChatRecordOutcome> dead(String id, Status.Code code, String reason) {
    return CompletableFuture.completedFuture(new ChatRecordOutcome.DeadLetter(id, code, reason));
  }

  /** The record key is the request id; a keyless record uses the id inside, or gets a fresh one. */
  private static String keyOf(ConsumerRecord<String, String> record, String inside) {
    if (record.key() != null && !record.key().isEmpty()) {
      return record.key();
    }
    return inside != null && !inside.isEmpty() ? inside : ChatPipeline.newRequestId();
  }

  private void publish(ConsumerRecord<String, String> source, ChatRecordOutcome outcome) {
    if (outcome instanceof ChatRecordOutcome.Answered answered) {
      producer.send(new ProducerRecord<>(settings.responsesTopic(), answered.requestId(),
          ProtoJson.print(answered.result().wholeResponse())));
      producer.send(new ProducerRecord<>(settings.usageTopic(), answered.requestId(),
          ProtoJson.print(answered.result().usage())));
    } else if (outcome instanceof ChatRecordOutcome.DeadLetter dead) {
      LOG.infof("request %s to %s: %s", dead.requestId(), settings.deadLetterTopic(), dead.reason());
      ProducerRecord<String, String> record =
          new ProducerRecord<>(settings.deadLetterTopic(), source.key(), source.value());
      record.headers().add(REASON_HEADER, dead.reason().getBytes(StandardCharsets.UTF_8));
      record.headers().add(STATUS_HEADER, dead.code().name().getBytes(StandardCharsets.UTF_8));
      record.headers().add(SOURCE_HEADER, (source.topic() + "/" + source.partition() + "/" + source.offset())
          .getBytes(StandardCharsets.UTF_8));
      producer.send(record);
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<ConsumerRecord<String, String>> batch) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<String, String> r : batch) {
      offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
          (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    return offsets;
  }

  /** After an aborted transaction: go back to the committed offsets so the batch is redone. */
  private void rewind() {
    Set<TopicPartition> assigned = consumer.assignment();
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
    for (TopicPartition tp : assigned) {
      OffsetAndMetadata offset = committed.get(tp);
      if (offset != null) {
        consumer.seek(tp, offset.offset());
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
  }

  private KafkaProducer<String, String> newProducer() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(config);
  }

  private KafkaConsumer<String, String> newConsumer() {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
    config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
        (int) Math.min(Integer.MAX_VALUE, settings.requestTimeout().toMillis() * settings.maxAttempts() + 120_000));
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return new KafkaConsumer<>(config);
  }

  /**
   * On a crash the producer is dropped without committing (its open transaction is aborted by the broker or
   * fenced by the successor's initTransactions); the consumer still leaves the group so the successor gets
   * the partitions without waiting out the session timeout.
   */
  private void close() {
    if (producer != null) {
      producer.close(crashed ? Duration.ZERO : Duration.ofSeconds(5));
    }
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(crashed ? 2 : 5));
    }
  }
}
