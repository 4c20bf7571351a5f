package org.communitysso.gateway.error;

/**
 * A refusal with a reason code. {@code detail} is for the log only (never
 * shown to the member, never carrying tokens or secrets).
 */
public class GatewayException extends RuntimeException {

    private final Reason reason;
    private final String connectorId;
    private String memberDetail;
    private Integer status;
    private String target;

    public GatewayException(Reason reason, String detail) {
        this(reason, null, detail, null);
    }

    public GatewayException(Reason reason, String connectorId, String detail) {
        this(reason, connectorId, detail, null);
    }

    public GatewayException(Reason reason, String connectorId, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.reason = reason;
        this.connectorId = connectorId;
    }

    public Reason reason() {
        return reason;
    }

    public String connectorId() {
        return connectorId;
    }

    /** Extra text safe to show the member (never the offending value). */
    public GatewayException withMemberDetail(String text) {
        this.memberDetail = text;
        return this;
    }

    /**
     * For callers that are machines with a protocol of their own (an IdP's
     * back-channel): always this status, and JSON, whatever the reason's own status.
     */
    public GatewayException answeredToMachinesWith(int httpStatus) {
        this.status = httpStatus;
        return this;
    }

    /** The status {@link #answeredToMachinesWith} set, or null for the reason's own page or JSON. */
    public Integer machineStatus() {
        return status;
    }

    /** Where the member was going: the error page's "Try again" starts the sign-in over with it. */
    public GatewayException withTarget(String checkedTarget) {
        if (this.target == null) {
            this.target = checkedTarget;
        }
        return this;
    }

    public String target() {
        return target;
    }

    public String memberDetail() {
        return memberDetail;
    }

    public String detail() {
        return getMessage();
    }
}
