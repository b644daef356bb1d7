package dev.qdecode.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Strict UTF-8 decoding, and locating the first invalid byte for messages. */
final class Utf8 {
  private static final int BUFFER = 1 << 16;

  private Utf8() {}

  /** A buffered stream positioned after a UTF-8 byte-order mark, if the file starts with one. */
  static InputStream skipBom(InputStream raw) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
    in.mark(3);
    byte[] b = in.readNBytes(3);
    if (!(b.length == 3
        && (b[0] & 0xFF) == 0xEF
        && (b[1] & 0xFF) == 0xBB
        && (b[2] & 0xFF) == 0xBF)) {
      in.reset();
    }
    return in;
  }

  /** A reader that throws on malformed input instead of replacing it. */
  static Reader strictReader(InputStream in) {
    return new InputStreamReader(
        in,
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  /**
   * The message for a file that is not valid UTF-8: {@code file:line: not valid UTF-8: byte 0xFF at
   * byte offset 1234}. Scans the file again to find the first bad byte.
   */
  static DataException notUtf8(Path file, String source, Throwable cause) {
    long[] at;
    try {
      at = firstInvalid(file);
    } catch (IOException e) {
      at = null;
    }
    if (at == null) {
      return new DataException(source + ": not valid UTF-8", cause);
    }
    if (at[2] < 0) {
      return new DataException(
          String.format(
              "%s:%d: not valid UTF-8: the file ends inside a multi-byte character at byte offset"
                  + " %d",
              source, at[1], at[0]),
          cause);
    }
    return new DataException(
        String.format(
            "%s:%d: not valid UTF-8: byte 0x%02X at byte offset %d (the file must be UTF-8)",
            source, at[1], at[2], at[0]),
        cause);
  }

  /**
   * Finds the first byte that does not start a well-formed UTF-8 sequence (Unicode table 3-7: no
   * overlong forms, no surrogates, nothing above U+10FFFF).
   *
   * @return {offset, 1-based line, byte value (-1: cut off by the end of the file)}, or {@code
   *     null} if the file is valid
   */
  static long[] firstInvalid(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER)) {
      long offset = 0;
      long line = 1;
      int need = 0;
      long start = 0;
      int lead = 0;
      int lo = 0x80;
      int hi = 0xBF;
      int b;
      while ((b = in.read()) >= 0) {
        if (need == 0) {
          start = offset;
          lead = b;
          if (b < 0x80) {
            if (b == '\n') {
              line++;
            }
          } else if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
          } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            lo = b == 0xE0 ? 0xA0 : 0x80;
            hi = b == 0xED ? 0x9F : 0xBF;
          } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            lo = b == 0xF0 ? 0x90 : 0x80;
            hi = b == 0xF4 ? 0x8F : 0xBF;
          } else {
            return new long[] {offset, line, b};
          }
        } else {
          if (b < lo || b > hi) {
            return new long[] {start, line, lead};
          }
          lo = 0x80;
          hi = 0xBF;
          need--;
        }
        offset++;
      }
      // A sequence cut off by the end of the file: report where the end was reached.
      return need == 0 ? null : new long[] {start, line, -1};
    }
  }
}
