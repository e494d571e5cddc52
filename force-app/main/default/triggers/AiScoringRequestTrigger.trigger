trigger AiScoringRequestTrigger on AI_Scoring_Request__e(after insert) {
  AiScoringRequests.start(Trigger.new, EventBus.TriggerContext.currentContext().retries);
}
