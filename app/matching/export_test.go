package matching_test

import (
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/workers"
)

func expiryTask(orgID, proposalID uuid.UUID) workers.ProposalExpiryPayload {
	return workers.ProposalExpiryPayload{OrgID: orgID, ProposalID: proposalID}
}
