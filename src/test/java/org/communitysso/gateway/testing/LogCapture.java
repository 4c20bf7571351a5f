package org.communitysso.gateway.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the gateway logs at warning or error level or with a stack trace, from
 * every logger, while it is installed (the test and the gateway share the JVM's log manager).
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    public static LogCapture install() {
        LogCapture capture = new LogCapture();
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getThrown() != null || record.getLevel().intValue() >= Level.WARNING.intValue()) {
            records.add(record);
        }
    }

    /** Logger, message and exception type of each error or stack trace logged so far; empty when none. */
    public List<String> errors() {
        return records.stream()
                .filter(r -> r.getThrown() != null || r.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(r -> r.getLoggerName() + ": " + r.getMessage()
                + (r.getThrown() == null ? "" : " [" + r.getThrown() + "]")).toList();
    }

    /** Logger and formatted message of each warning (not error) logged so far. */
    public List<String> warnings() {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()
                        && r.getLevel().intValue() < Level.SEVERE.intValue())
                .map(r -> r.getLoggerName() + ": " + (r instanceof org.jboss.logmanager.ExtLogRecord ext
                        ? ext.getFormattedMessage() : new java.util.logging.SimpleFormatter().formatMessage(r)))
                .toList();
    }

    public void clear() {
        records.clear();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
