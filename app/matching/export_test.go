package matching_test

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/workers"
)

func expiryTask(orgID, proposalID uuid.UUID) *asynq.Task {
	b, _ := json.Marshal(workers.ProposalExpiryPayload{OrgID: orgID, ProposalID: proposalID})
	return asynq.NewTask(workers.TypeProposalExpiry, b)
}
