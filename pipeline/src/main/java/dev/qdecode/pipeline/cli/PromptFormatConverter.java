package dev.qdecode.pipeline.cli;

import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TokenizerException;
import picocli.CommandLine;

/**
 * Parses a {@code --prompt-format} value while the command line is parsed ({@link PromptFormat#parse}: a
 * template with {@code {text}} once, its escapes, {@code ;special=BOOL}), once: the option holds the parsed
 * format together with the value as written ({@link Given}), so a value that does not parse is refused as
 * {@code --template} is (bad usage, with the line pointing to the command's {@code --help}, before any model is
 * loaded), and the model is later loaded with the format parsed here.
 */
final class PromptFormatConverter implements CommandLine.ITypeConverter<PromptFormatConverter.Given> {

    /** Creates the converter (used by picocli). */
    PromptFormatConverter() {}

    /**
     * A prompt format given as a spec: the spec as written (what records and messages show, as given) and the
     * format it parses to.
     *
     * @param text the spec as written, e.g. {@code Q: {text}\nA:;special=false}
     * @param format the parsed format
     */
    record Given(String text, PromptFormat format) {
        /**
         * Parses a spec given on the command line or recorded by a run.
         *
         * @param text the spec
         * @return the spec with its format
         * @throws TokenizerException (one line) when it does not parse
         */
        static Given parse(String text) {
            return new Given(text, PromptFormat.parse(text));
        }

        /** The spec as written: option records ({@code run.json}) and messages show the value as given. */
        @Override
        public String toString() {
            return text;
        }
    }

    @Override
    public Given convert(String value) {
        try {
            return Given.parse(value);
        } catch (TokenizerException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
