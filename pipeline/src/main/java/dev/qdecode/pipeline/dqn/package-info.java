/**
 * The DQN decoding head: token-level Q-learning on top of a frozen language model.
 *
 * <p>The MDP: the state s_t is the prompt plus the tokens generated so far, embedded as φ(s_t) (the
 * backbone's final-norm hidden state at the last position); actions are the tokens of a per-state
 * candidate set C(s_t) (top-k / top-p of the model's own distribution π_ref); the episode reward
 * comes from reward plug-ins, optionally shaped per token. The head ({@code QHead}) maps φ(s) to
 * one Q-value per token, starting at zero so the initial policy is the pretrained model. Decoding
 * ({@link dev.qdecode.pipeline.dqn.DqnPolicy}) follows the KL-regularised soft-Q policy
 * π(a|s) ∝ π_ref(a|s)·exp(Q(s,a)/τ_Q) on C(s).
 *
 * <p>Pieces (package-private unless noted): {@link dev.qdecode.pipeline.dqn.DqnConfig} (public,
 * every setting, JSON), {@code Candidates} (C(s)), {@code QHead} (online + target network, Adam),
 * {@code ReplayBuffer}/{@code ReplayEpisode}/{@code SumTree} (episode replay, uniform or
 * prioritized), {@code Targets} (soft / hard / double n-step Bellman targets with the
 * path-consistency correction, clipping), {@code Learner} (one update), {@code PolicyMath}
 * (guided, Q-greedy, ε-greedy), {@code KlController}, {@code Shaping}, {@code DivergenceMonitor},
 * {@code Checkpoint} (the run directory's {@code checkpoint.qdq}, layout in its Javadoc) and
 * {@link dev.qdecode.pipeline.dqn.DqnBench} (public, learner speed).
 */
package dev.qdecode.pipeline.dqn;
