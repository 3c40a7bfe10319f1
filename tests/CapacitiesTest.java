import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs a test once per channel capacity: unbuffered (0), the smallest buffer (1), a buffer that wraps around (2),
 * and larger ones (10, 100). Used by all the channel test classes.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "capacity {0}")
@ValueSource(ints = {0, 1, 2, 10, 100})
@interface CapacitiesTest {}
