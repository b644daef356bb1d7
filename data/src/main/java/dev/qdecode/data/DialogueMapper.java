package dev.qdecode.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Row → {@link DialogueExample}: splits the context into turns and checks it against the turn. */
final class DialogueMapper {
  /** Separator of turns in a joined context (XDailyDialog: {@code " __eou__ "}). */
  static final String EOU = "__eou__";

  private static final List<String> LABELS = List.of("topic", "response_act", "response_emotion");

  private DialogueMapper() {}

  static DialogueExample map(Row row, Binding b) {
    List<String> turns = contextTurns(row, b);
    String turn = b.optional(row, "turn");
    if (turn != null) {
      int n;
      try {
        n = Integer.parseInt(turn);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1) {
        throw row.error(
            b.column("turn"), "expected a whole number >= 1 but found " + Sources.quote(turn));
      }
      if (n != turns.size()) {
        throw row.error(
            b.column("context"),
            "expected "
                + n
                + " turns (column '"
                + b.column("turn")
                + "' is "
                + n
                + ") but found "
                + turns.size());
      }
    }
    String dialogId = b.optional(row, "id");
    String id =
        dialogId == null
            ? Long.toString(row.index())
            : turn == null ? dialogId : dialogId + DialogueExample.TURN_SEPARATOR + turn;
    String response = b.required(row, "response");
    Map<String, String> labels = new LinkedHashMap<>();
    for (String label : LABELS) {
      String v = b.optional(row, label);
      if (v != null) {
        labels.put(label, v);
      }
    }
    return new DialogueExample(id, turns, response, labels);
  }

  private static List<String> contextTurns(Row row, Binding b) {
    String column = b.column("context");
    List<String> raw = row.getAll(column);
    // A JSON array lists the turns themselves (even one turn, which is not split again); a string joins
    // them with the separator.
    boolean array = row.isArray(column);
    List<String> parts = array ? raw : split(raw.get(0));
    List<String> turns = new ArrayList<>(parts.size());
    for (String p : parts) {
      String t = p.strip();
      if (t.isEmpty()) {
        throw row.error(
            column,
            "turn "
                + (turns.size() + 1)
                + " of "
                + parts.size()
                + " is empty"
                + (array
                    ? " (expected a non-blank string for each element of the array)"
                    : " (turns are joined with ' " + EOU + " ')"));
      }
      turns.add(t);
    }
    if (turns.isEmpty()) {
      throw row.error(column, "expected at least one turn but found none");
    }
    return turns;
  }

  /**
   * Splits on the separator; a trailing separator (as in DailyDialog's whole dialogues) ends it.
   */
  private static List<String> split(String context) {
    List<String> parts = new ArrayList<>();
    int from = 0;
    int at;
    while ((at = context.indexOf(EOU, from)) >= 0) {
      parts.add(context.substring(from, at));
      from = at + EOU.length();
    }
    String rest = context.substring(from);
    if (!rest.isBlank() || parts.isEmpty()) {
      parts.add(rest);
    }
    return parts;
  }
}
