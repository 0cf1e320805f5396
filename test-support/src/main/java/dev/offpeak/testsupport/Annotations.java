package dev.offpeak.testsupport;

import java.lang.annotation.Annotation;
import java.util.Optional;
import org.junit.platform.commons.support.AnnotationSupport;

/** Finds an annotation on a test class or, for {@code @Nested} classes, on an enclosing class. */
final class Annotations {
    private Annotations() {}

    static <A extends Annotation> Optional<A> onClassOrEnclosing(Class<?> testClass, Class<A> type) {
        for (Class<?> candidate = testClass; candidate != null; candidate = candidate.getEnclosingClass()) {
            Optional<A> found = AnnotationSupport.findAnnotation(candidate, type);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}
