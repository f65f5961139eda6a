package dev.aedb;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The flags in pom.xml reach the test JVM, and the runtime check agrees. */
class JvmFlagsTest
{
    @Test
    void shouldFindEveryRequiredFlagInForceInTheTestJvm()
    {
        assertTrue(JvmFlags.required().contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"), JvmFlags.required().toString());
        assertTrue(JvmFlags.required().contains("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"));
        assertTrue(JvmFlags.missing().isEmpty(), "missing: " + JvmFlags.missing());
        JvmFlags.check();
    }
}
