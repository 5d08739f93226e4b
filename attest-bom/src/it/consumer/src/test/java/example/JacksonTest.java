package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each invoker run really has the Jackson it claims, so the README flow beside it proves something. */
class JacksonTest {

  @Test
  void theJackson2OfThisRunIsOnTheClasspath() {
    String expected = System.getProperty("attest.it.jackson2", "");
    String actual = com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString();
    if (!expected.isEmpty()) {
      assertEquals(expected, actual);
      assertEquals(expected, com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString());
    }
  }

  @Test
  void jackson3WorksBesideIt() throws Exception {
    if (!Boolean.getBoolean("attest.it.jackson3")) {
      return;
    }
    // By reflection, so that this class compiles in the runs without Jackson 3.
    Class<?> mapperClass = Class.forName("tools.jackson.databind.json.JsonMapper");
    Object mapper = mapperClass.getConstructor().newInstance();
    Method write = mapperClass.getMethod("writeValueAsString", Object.class);
    assertEquals("{\"a\":1}", write.invoke(mapper, Map.of("a", 1)));
    assertTrue(Class.forName("com.fasterxml.jackson.annotation.JsonApplyView") != null);
  }
}
