package dev.qdecode.pipeline.cli;

import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TokenizerException;
import picocli.CommandLine;

/**
 * Checks a {@code --prompt-format} value while the command line is parsed ({@link PromptFormat#parse}: a
 * template with {@code {text}} once, its escapes, {@code ;special=BOOL}) and keeps it as written, so a value
 * that does not parse is refused as {@code --template} is: bad usage, with the line pointing to the
 * command's {@code --help}, before any model is loaded.
 */
final class PromptFormatConverter implements CommandLine.ITypeConverter<String> {

    /** Creates the converter (used by picocli). */
    PromptFormatConverter() {}

    @Override
    public String convert(String value) {
        try {
            PromptFormat.parse(value);
        } catch (TokenizerException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
        return value;
    }
}
