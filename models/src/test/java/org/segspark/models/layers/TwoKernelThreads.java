package org.segspark.models.layers;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Runs each test of a class with two kernel threads, whatever the JVM had, and puts the count back after. */
final class TwoKernelThreads implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace HERE = ExtensionContext.Namespace.create(TwoKernelThreads.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(HERE).put("before", KernelThreads.get());
        KernelThreads.set(2);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        KernelThreads.set(context.getStore(HERE).get("before", Integer.class));
    }
}
