package dev.llava.orchestrator.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.orchestrator.pipeline.ModelCatalog;
import dev.llava.proto.v1.ModelInfo;
import dev.llava.proto.v1.ModelRef;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} in OpenAI's list and model shapes. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

  @Inject
  ModelCatalog models;

  @GET
  public ObjectNode list() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (ModelInfo info : models.list()) {
      data.add(model(info));
    }
    return root;
  }

  @GET
  @Path("/{id}")
  public Response get(@PathParam("id") String id) {
    try {
      ModelRef ref = models.resolve(ModelRef.newBuilder().setName(id).build());
      ModelInfo info = models.list().stream().filter(m -> m.getModel().getName().equals(ref.getName()))
          .findFirst().orElseThrow();
      return Response.ok(model(info)).build();
    } catch (ChatException e) {
      return OpenAiErrors.response(e);
    }
  }

  private static ObjectNode model(ModelInfo info) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.put("id", info.getModel().getName());
    m.put("object", "model");
    m.put("created", info.getCreatedUnix());
    m.put("owned_by", "llava");
    return m;
  }
}
