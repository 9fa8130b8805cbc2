package org.deeprelax.core;

import java.lang.reflect.Proxy;

/** A backend that is not the one under test, only to show that mixing backends is refused. */
final class OtherBackend {

    private OtherBackend() {
    }

    static Backend create() {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> "other";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new IllegalStateException("the other backend runs nothing");
                });
    }

    static Storage storage(Backend owner, int size) {
        return new Storage() {
            @Override
            public Backend backend() {
                return owner;
            }

            @Override
            public int size() {
                return size;
            }

            @Override
            public void close() {
            }
        };
    }
}
