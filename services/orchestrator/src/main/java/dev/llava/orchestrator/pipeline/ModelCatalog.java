package dev.llava.orchestrator.pipeline;

import dev.llava.orchestrator.config.OrchestratorConfig;
import dev.llava.proto.v1.ModelInfo;
import dev.llava.proto.v1.ModelRef;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/** The models this platform serves (from configuration) and the resolution of a request's model name. */
@ApplicationScoped
public class ModelCatalog {
  private final List<OrchestratorConfig.Model> models;
  private final long createdUnix = Instant.now().getEpochSecond();

  @Inject
  public ModelCatalog(OrchestratorConfig config) {
    this.models = config.models();
  }

  public List<ModelInfo> list() {
    return models.stream().map(m -> ModelInfo.newBuilder()
        .setModel(ModelRef.newBuilder().setName(m.name()).setRevision(m.revision().orElse("")))
        .setMaxContextTokens(m.maxContextTokens())
        .setCreatedUnix(createdUnix)
        .build()).toList();
  }

  /** Unix seconds the catalog was loaded (OpenAI's {@code created}). */
  public long createdUnix() {
    return createdUnix;
  }

  /**
   * The served model a request names (the first configured one when it names none), with the configured
   * revision unless the request pins its own. NOT_FOUND lists what is served.
   */
  public ModelRef resolve(ModelRef requested) {
    if (models.isEmpty()) {
      throw new ChatException(Status.Code.UNAVAILABLE, "no model is configured (llava.orchestrator.models)");
    }
    String name = requested.getName();
    OrchestratorConfig.Model match = name.isEmpty() ? models.get(0)
        : models.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    if (match == null) {
      throw new ChatException(Status.Code.NOT_FOUND, "The model '" + name + "' does not exist; served models: "
          + models.stream().map(OrchestratorConfig.Model::name).collect(Collectors.joining(", ")), "model");
    }
    String revision = !requested.getRevision().isEmpty() ? requested.getRevision() : match.revision().orElse("");
    return ModelRef.newBuilder().setName(match.name()).setRevision(revision).build();
  }
}
