trigger LeadTrigger on Lead(after insert, after update, after undelete) {
  new AiScoringTriggerHandler().run();
}
