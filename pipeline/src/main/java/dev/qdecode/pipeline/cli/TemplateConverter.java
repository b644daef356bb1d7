package dev.qdecode.pipeline.cli;

import dev.qdecode.tokenizer.PromptFormat;
import picocli.CommandLine;

/**
 * Reads a {@code --template} option ({@code sft}, {@code train --task classification}) with the backslash
 * escapes of {@code --prompt-format}'s template ({@link PromptFormat#unescapeTemplate}: {@code \n}, {@code \t},
 * {@code \;}, {@code \\}), so a template is written the same way wherever the command line takes one. A
 * template without a backslash is taken as it is; any other backslash is refused (exit 2).
 */
final class TemplateConverter implements CommandLine.ITypeConverter<String> {

    /** Creates the converter (used by picocli). */
    TemplateConverter() {}

    @Override
    public String convert(String value) {
        try {
            return PromptFormat.unescapeTemplate(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value + "': " + e.getMessage());
        }
    }
}
