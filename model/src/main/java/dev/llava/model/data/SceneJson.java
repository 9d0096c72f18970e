package dev.llava.model.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The machine-readable scene stored in each record's {@code meta.scene}: enough for an evaluator or
 * a test to re-derive every answer without looking at pixels.
 *
 * <pre>
 * {"width": 640, "height": 480, "background": "noisy",
 *  "objects": [{"shape": "circle", "color": "red", "position": "left",
 *               "x": 101.5, "y": 243.0, "radius": 40.2}]}
 * </pre>
 */
public final class SceneJson {
  private SceneJson() {}

  public static ObjectNode toJson(Scene scene) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("width", scene.width());
    node.put("height", scene.height());
    node.put("background", scene.background().kind().id());
    ArrayNode objects = node.putArray("objects");
    for (SceneObject o : scene.objects()) {
      ObjectNode object = objects.addObject();
      object.put("shape", o.shape().word());
      object.put("color", o.color().word());
      object.put("position", o.region().word());
      object.put("x", o.x());
      object.put("y", o.y());
      object.put("radius", o.radius());
    }
    return node;
  }
}
