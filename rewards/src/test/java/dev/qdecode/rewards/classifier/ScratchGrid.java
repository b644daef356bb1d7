package dev.qdecode.rewards.classifier;
import java.util.*;
public class ScratchGrid {
  public static void main(String[] a) throws Exception {
    LabeledTsv train = LabeledTsv.read(LabeledTsv.shared().resolve("data/sst2/train.tsv"), Integer.MAX_VALUE);
    LabeledTsv dev = LabeledTsv.read(LabeledTsv.shared().resolve("data/sst2/dev.tsv"), Integer.MAX_VALUE);
    String encId = a.length > 0 ? a[0] : "minilm";
    try (SentenceEncoder enc = SentenceEncoders.open(encId)) {
      float[][] x = EmbeddingCache.atDefaultLocation().embed(enc, train.texts());
      float[][] xd = EmbeddingCache.atDefaultLocation().embed(enc, dev.texts());
      int[] y = train.labels().stream().mapToInt(Integer::parseInt).toArray();
      int[] yd = dev.labels().stream().mapToInt(Integer::parseInt).toArray();
      List<ClassifierConfig> cfgs = new ArrayList<>();
      for (String spec : a.length > 1 ? Arrays.copyOfRange(a, 1, a.length) : new String[]{"logistic,0.01,0.001,0.1"}) {
        String[] f = spec.split(",");
        ClassifierConfig c = f[0].equals("mlp") ? ClassifierConfig.mlp() : ClassifierConfig.logistic();
        c = c.withL2(Double.parseDouble(f[1])).withLearningRate(Double.parseDouble(f[2])).withValidationFraction(Double.parseDouble(f[3]));
        if (f.length > 4) c = c.withMaxEpochs(Integer.parseInt(f[4]));
        if (f.length > 5) c = c.withHidden(Integer.parseInt(f[5]), Double.parseDouble(f[6]));
        if (f.length > 7) c = c.withBatchSize(Integer.parseInt(f[7]));
        if (f.length > 8) c = c.withPatience(Integer.parseInt(f[8]));
        cfgs.add(c);
      }
      for (ClassifierConfig c : cfgs) {
        long t0 = System.nanoTime();
        PhraseSplit s = PhraseSplit.of(train.texts(), c.validationFraction(), c.seed());
        HeadTrainer.Result r = HeadTrainer.train(x, y, 2, s.train(), s.validation(), c);
        double secs = (System.nanoTime() - t0) / 1e9;
        Evaluation ed = Evaluation.of(List.of("0","1"), yd, TextClassifier.argMax(r.head().logits(xd)));
        String val = "";
        if (s.validation().length > 0) {
          float[][] xv = new float[s.validation().length][]; int[] yv = new int[xv.length];
          for (int i = 0; i < xv.length; i++) { xv[i] = x[s.validation()[i]]; yv[i] = y[s.validation()[i]]; }
          val = Evaluation.of(List.of("0","1"), yv, TextClassifier.argMax(r.head().logits(xv))).summary();
        }
        System.out.printf(Locale.ROOT, "%s l2=%g lr=%g vf=%.2f ep=%d/%d hid=%d do=%.1f bs=%d | val %s | dev %s | %.1fs%n", c.head(), c.l2(), c.learningRate(), c.validationFraction(), r.bestEpoch(), r.epochsRun(), c.hidden(), c.dropout(), c.batchSize(), val, ed.summary(), secs);
      }
    }
  }
}
