/**
 * How background work runs: {@link dev.aedb.agent.AgentHost} starts Agrona agents on daemon threads of their own
 * (production) or hands out {@code AgentInvoker}s that tests step (no sleeps), and
 * {@link dev.aedb.agent.WakeableIdleStrategy} idles an agent with Agrona's backoff while letting a submitter wake it
 * out of a park. Internal. Layer: the bottom (JDK and Agrona only), so every layer with an agent (today {@code store}
 * and {@code commit}) can use it.
 */
package dev.aedb.agent;
