package dev.llava.model.text;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;

/**
 * transformers' {@code {% generation %}...{% endgeneration %}} extension: marks the assistant text
 * a model is trained on ({@code return_assistant_tokens_mask}). The body is rendered as usual and
 * wrapped in two Unicode noncharacters that {@link JinjaChatTemplate} turns into spans and removes.
 */
final class GenerationTag implements Tag {
  static final char START = '\uFDD0';
  static final char END = '\uFDD1';

  @Override
  public String getName() {
    return "generation";
  }

  @Override
  public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
    StringBuilder body = new StringBuilder().append(START);
    for (Node child : tagNode.getChildren()) {
      body.append(child.render(interpreter).getValue());
    }
    return body.append(END).toString();
  }
}
