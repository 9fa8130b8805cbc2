/**
 * The fused optimizer updates: {@link org.deeprelax.core.update.FusedUpdates}, which every backend
 * implements and hands out from {@link org.deeprelax.core.Backend#updates()}, and one record per update
 * holding its scalars and stating its formula.
 */
package org.deeprelax.core.update;
