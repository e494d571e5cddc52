trigger OpportunityTrigger on Opportunity(after insert, after update, after undelete) {
  new AiScoringTriggerHandler().run();
}
