package dev.qdecode.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A dialogue context and the response that followed it.
 *
 * @param id {@code dialog_id#turn} when the file has both columns (e.g. {@code 0#3}), else the
 *     dialogue id, else the row index
 * @param contextTurns the turns before the response, oldest first (immutable); in files they are
 *     joined with {@code " __eou__ "}
 * @param response the response turn
 * @param labels label name → value, e.g. {@code topic=1, response_act=2, response_emotion=4}
 *     (immutable, in that order)
 */
public record DialogueExample(
    String id, List<String> contextTurns, String response, Map<String, String> labels) {

  /** Separates the dialogue id from the turn in {@link #id()}. */
  public static final String TURN_SEPARATOR = "#";

  /**
   * Checks that nothing is null; copies the list and the map (keeping the label order).
   *
   * @param id {@code dialog_id#turn} when the file has both columns (e.g. {@code 0#3}), else the
   *     dialogue id, else the row index
   * @param contextTurns the turns before the response, oldest first (immutable); in files they are
   *     joined with {@code " __eou__ "}
   * @param response the response turn
   * @param labels label name → value, e.g. {@code topic=1, response_act=2, response_emotion=4}
   *     (immutable, in that order)
   * @throws NullPointerException naming {@code contextTurns} or {@code labels} when it is null
   */
  public DialogueExample {
    Objects.requireNonNull(contextTurns, "contextTurns");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(id, "id");
    contextTurns = List.copyOf(contextTurns);
    Objects.requireNonNull(response, "response");
    Map<String, String> copy = new LinkedHashMap<>();
    labels.forEach(
        (k, v) -> copy.put(Objects.requireNonNull(k, "label name"), Objects.requireNonNull(v, k)));
    labels = Collections.unmodifiableMap(copy);
  }

  /**
   * The id of the whole dialogue: {@link #id()} up to the last {@value #TURN_SEPARATOR}. Use it as
   * the group key when splitting, so that the pairs of one dialogue stay together.
   *
   * @return e.g. {@code "0"} for id {@code "0#3"}
   */
  public String dialogId() {
    int at = id.lastIndexOf(TURN_SEPARATOR);
    return at < 0 ? id : id.substring(0, at);
  }

  /**
   * The context as written in the data files: turns joined with {@code " __eou__ "}.
   *
   * @return the joined context
   */
  public String joinedContext() {
    return String.join(" " + DialogueMapper.EOU + " ", contextTurns);
  }
}
